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

# E-mail alerts of an area (src/pages/public_map/alerts.rs, alerts_page.rs).
pm-alert-title = Alerts by e-mail
pm-alert-intro = Hear by e-mail what is reported in your neighbourhood and what becomes of it.
pm-alert-open = Ask for alerts
pm-alert-area = Area
pm-alert-circle = Around a place
pm-alert-drawn = Draw an area on the map
pm-alert-circle-help = The circle follows the map's centre: move the map until it lies over the place.
pm-alert-radius = Radius
pm-alert-here = Use my position
pm-alert-drawn-help = { $count ->
    [0] Tap the map to set the area's corners (at least three).
    [one] 1 corner set – at least three are needed.
   *[other] { $count } corners set.
}
pm-alert-reset = Clear the corners
pm-alert-what = Tell me of
pm-alert-new = new reports
pm-alert-status = changes of the status
pm-alert-email = E-mail address
pm-alert-email-help = You first receive a mail with a confirmation link. Every alert has a link to stop them.
pm-alert-submit = Ask for alerts
pm-alert-cancel = Cancel
pm-alert-sent-title = Almost done
pm-alert-sent = We sent a mail to { $email }. Please open its link to confirm the alerts.
pm-alert-no-area = Please choose an area on the map first.
pm-alert-no-position = Your position is not available. Move the map instead.
pm-alert-page-title = Alerts by e-mail
pm-alert-working = One moment …
pm-alert-confirmed = Your alerts are confirmed.
pm-alert-circle-is = Area: within { $radius } m of { $place }.
pm-alert-drawn-is = Area: an area drawn on the map with { $count } corners.
pm-alert-what-both = You receive mails about new reports and changes of their status.
pm-alert-what-new = You receive mails about new reports.
pm-alert-what-status = You receive mails about changes of the status.
pm-alert-unsubscribe = Stop these alerts
pm-alert-ended = Unsubscribed. You will receive no more alerts; your address is deleted.
pm-alert-unknown = This link no longer exists: the alerts were ended or never confirmed.
