# The public map of reports (/m, /m/{ags}, /embed/{ags}): src/pages/public_map/.
nav-public-map = Map of reports
pm-title = Reports in { $name }
pm-title-statewide = Reports of all municipalities
pm-title-loading = Reports
pm-intro = What was reported and what became of it. Places are rounded to a grid; names and contact details are never shown.
pm-disabled = This municipality does not publish its reports.
pm-filter-label = Filter reports
pm-filter-category = Category
pm-filter-status = Status
pm-filter-all = All
pm-filter-from = Reported from
pm-filter-to = Reported until
pm-status-open = Open
pm-status-closed = Closed or resolved
pm-total = { $count ->
    [0] No reports
    [one] 1 report
   *[other] { $count } reports
}
pm-empty = No reports match this filter.
pm-map-label = Map of reports
pm-cluster-label = { $count } reports here – select to zoom in
pm-received = Reported on { $at }
pm-updated = changed on { $at }
pm-place-rounded = rounded
pm-handled-by = Handled by: { $by }
pm-comments = { $count ->
    [one] 1 public comment
   *[other] { $count } public comments
}
pm-back = Back to the list
pm-history = History
pm-photo-alt = Photo of the report
pm-pages = Pages of the list
pm-prev = Previous page
pm-next = Next page
pm-page = Page { $page } of { $pages }
pm-licence = Data under the licence { $licence }.
pm-open-full = Open the map in its own window
