-- Schema 4: whether the server sends the reporter updates about a report by mail
-- (`MailUpdates` wire name: none, unconfirmed, on, off), as the server last said;
-- NULL until the server has the report.
ALTER TABLE reports ADD COLUMN mail_updates TEXT;
-- The language the citizen wrote the report in (`de`, `en`): the server's mails use it.
ALTER TABLE reports ADD COLUMN language TEXT;
