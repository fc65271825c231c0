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

# E-mail alerts of an area (src/pages/public_map/alerts.rs, alerts_page.rs).
pm-alert-title = Per E-Mail benachrichtigen
pm-alert-intro = Erfahren Sie per E-Mail, was in Ihrer Nachbarschaft gemeldet wird und was daraus wird.
pm-alert-open = Benachrichtigungen bestellen
pm-alert-area = Gebiet
pm-alert-circle = Umkreis um einen Ort
pm-alert-drawn = Fläche auf der Karte zeichnen
pm-alert-circle-help = Der Kreis folgt der Kartenmitte: Verschieben Sie die Karte, bis er über dem Ort liegt.
pm-alert-radius = Umkreis
pm-alert-here = Meinen Standort verwenden
pm-alert-drawn-help = { $count ->
    [0] Tippen Sie auf die Karte, um die Ecken der Fläche zu setzen (mindestens drei).
    [one] 1 Ecke gesetzt – mindestens drei sind nötig.
   *[other] { $count } Ecken gesetzt.
}
pm-alert-reset = Ecken zurücksetzen
pm-alert-what = Benachrichtigen bei
pm-alert-new = neuen Meldungen
pm-alert-status = Änderungen des Bearbeitungsstands
pm-alert-email = E-Mail-Adresse
pm-alert-email-help = Sie erhalten zuerst eine Mail mit einem Bestätigungslink. Jede Benachrichtigung enthält einen Link zum Abbestellen.
pm-alert-submit = Bestellen
pm-alert-cancel = Abbrechen
pm-alert-sent-title = Fast geschafft
pm-alert-sent = Wir haben eine Mail an { $email } geschickt. Bitte öffnen Sie den Link darin, um die Benachrichtigungen zu bestätigen.
pm-alert-no-area = Bitte wählen Sie zuerst ein Gebiet auf der Karte.
pm-alert-no-position = Ihr Standort ist nicht verfügbar. Verschieben Sie die Karte stattdessen.
pm-alert-page-title = Benachrichtigungen per E-Mail
pm-alert-working = Einen Moment …
pm-alert-confirmed = Ihre Benachrichtigungen sind bestätigt.
pm-alert-circle-is = Gebiet: im Umkreis von { $radius } m um { $place }.
pm-alert-drawn-is = Gebiet: eine auf der Karte gezeichnete Fläche mit { $count } Ecken.
pm-alert-what-both = Sie erhalten Mails zu neuen Meldungen und zu Änderungen des Bearbeitungsstands.
pm-alert-what-new = Sie erhalten Mails zu neuen Meldungen.
pm-alert-what-status = Sie erhalten Mails zu Änderungen des Bearbeitungsstands.
pm-alert-unsubscribe = Benachrichtigungen abbestellen
pm-alert-ended = Abbestellt. Sie erhalten keine Benachrichtigungen mehr, Ihre Adresse ist gelöscht.
pm-alert-unknown = Diesen Link gibt es nicht mehr: Die Benachrichtigungen wurden abbestellt oder nie bestätigt.
