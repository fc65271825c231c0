# The public map of reports (/m, /m/{ags}, /embed/{ags}): src/pages/public_map/.
nav-public-map = Karte der Meldungen
pm-title = Meldungen in { $name }
pm-title-statewide = Meldungen aller Kommunen
pm-title-loading = Meldungen
pm-intro = Was gemeldet wurde und was daraus geworden ist. Orte sind auf ein Raster gerundet, Namen und Kontaktdaten werden nie gezeigt.
pm-disabled = Diese Kommune veröffentlicht ihre Meldungen nicht.
pm-filter-label = Meldungen filtern
pm-filter-category = Kategorie
pm-filter-status = Status
pm-filter-all = Alle
pm-filter-from = Gemeldet ab
pm-filter-to = Gemeldet bis
pm-status-open = Offen
pm-status-closed = Abgeschlossen oder erledigt
pm-total = { $count ->
    [0] Keine Meldungen
    [one] 1 Meldung
   *[other] { $count } Meldungen
}
pm-empty = Keine Meldungen passen zu diesem Filter.
pm-map-label = Karte der Meldungen
pm-cluster-label = { $count } Meldungen hier – zum Vergrößern auswählen
pm-received = Gemeldet am { $at }
pm-updated = geändert am { $at }
pm-place-rounded = gerundet
pm-handled-by = Zuständig: { $by }
pm-comments = { $count ->
    [one] 1 öffentlicher Kommentar
   *[other] { $count } öffentliche Kommentare
}
pm-back = Zurück zur Liste
pm-history = Verlauf
pm-photo-alt = Foto zur Meldung
pm-pages = Seiten der Liste
pm-prev = Vorherige Seite
pm-next = Nächste Seite
pm-page = Seite { $page } von { $pages }
pm-licence = Daten unter der Lizenz { $licence }.
pm-open-full = Karte in eigenem Fenster öffnen
