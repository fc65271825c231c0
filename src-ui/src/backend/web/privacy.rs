//! The citizen's data protection rights on the web page (the app's are in the client):
//! the export as a browser download, withdrawing a report, erasing everything this
//! browser sent, and asking for an erasure link by e-mail.
//!
//! A child of `web`, so it shares that module's storage and helpers.

use gloo_net::http::Request;
use serde::Deserialize;
use wasm_bindgen::JsCast;

use augenmerk_domain::privacy::{EmailErasureRequest, ErasureDone, LegalInfo};
use augenmerk_domain::{Ags, Language};

use super::WebBackend;
use super::store::{CONFIG_PREFIX, MY_IDS, TOKEN_KEY};
use super::transport::API;
use crate::backend::privacy::ExportedFile;
use crate::backend::{UiError, UiResult};
use crate::storage;

/// How long the export stays in the browser's memory for the download to pick it up.
const DOWNLOAD_URL_SECONDS: u64 = 60;

impl WebBackend {
    /// Fetches the ZIP of everything this browser sent and hands it to the browser's
    /// download (a Blob URL on an `<a download>`).
    pub async fn export_my_data(&self) -> UiResult<ExportedFile> {
        if storage::get(TOKEN_KEY).is_none() {
            return Err(nothing_sent());
        }
        let request = self.authed(Request::get(&format!("{API}/me/export"))).await?;
        let response = Self::send(request.build().map_err(UiError::unexpected)).await?;
        let name = response
            .headers()
            .get("content-disposition")
            .and_then(|h| attachment_name(&h))
            .unwrap_or_else(|| format!("augenmerk-daten-{}.zip", chrono::Utc::now().format("%Y-%m-%d")));
        let bytes = response.binary().await.map_err(UiError::unexpected)?;
        download(&name, &bytes, "application/zip")?;
        Ok(ExportedFile { name, location: None })
    }

    /// Withdraws one of this browser's reports: one still waiting here is dropped (it
    /// never reached the server), a sent one is withdrawn there; then it is forgotten here.
    pub async fn withdraw_report(&self, id: &str) -> UiResult<()> {
        let store = self.store().await?;
        let queued = store.entry(id).await.map_err(UiError::unexpected)?;
        if let Some(q) = queued {
            store
                .remove_entry(&q.report.id, true)
                .await
                .map_err(UiError::unexpected)?;
            self.forget_report(id).await;
            self.refresh_counts().await;
            // A sync may have been sending it at this moment: withdraw it there too. It
            // was not there (404) or the network is away: then it never arrives.
            return match self.post_withdraw(id).await {
                Err(e) if !(e.offline || e.code.as_deref() == Some("not_found")) => Err(e),
                _ => Ok(()),
            };
        }
        self.post_withdraw(id).await?;
        self.forget_report(id).await;
        Ok(())
    }

    async fn post_withdraw(&self, id: &str) -> UiResult<()> {
        let id = js_sys::encode_uri_component(id);
        let request = self
            .authed(Request::post(&format!("{API}/reports/{id}/withdraw")))
            .await?;
        Self::send(request.build().map_err(UiError::unexpected))
            .await
            .map(|_| ())
    }

    /// Erases the personal data of every report this browser sent and its registration,
    /// and forgets the token, the reports waiting here and the local marks: the next
    /// report registers anew. Returns how many reports were affected.
    pub async fn erase_my_data(&self) -> UiResult<u32> {
        let mut erased = 0;
        if let Some(token) = storage::get(TOKEN_KEY) {
            let request = Request::delete(&format!("{API}/me"))
                .header("Authorization", &format!("Bearer {token}"))
                .build()
                .map_err(UiError::unexpected);
            match Self::json::<ErasureDone>(request).await {
                Ok(done) => erased += done.reports,
                // The registration has expired already (and with it the link to the reports).
                Err(e) if e.code.as_deref() == Some("unauthorized") => {}
                // Offline or refused: nothing is forgotten here, so the citizen can try again.
                Err(e) => return Err(e),
            }
        }
        // Reports that never left the browser go too (they would be sent from a new
        // registration otherwise).
        let store = self.store().await?;
        let waiting = store.entries().await.map_err(UiError::unexpected)?.len();
        erased += u32::try_from(waiting).unwrap_or(u32::MAX);
        store.clear_personal().await.map_err(UiError::unexpected)?;
        storage::remove(TOKEN_KEY);
        self.refresh_counts().await;
        Ok(erased)
    }

    /// Asks the server to mail a confirmation link for erasing everything sent with an
    /// address (it answers the same whether or not reports with it exist).
    pub async fn request_email_erasure(&self, email: &str, language: Language) -> UiResult<()> {
        let request = Request::post(&format!("{API}/privacy/erasure"))
            .json(&EmailErasureRequest {
                email: email.trim().to_owned(),
                language: Some(language),
            })
            .map_err(UiError::unexpected);
        Self::send(request).await.map(|_| ())
    }
}

impl WebBackend {
    /// The version of the privacy notice the citizen was shown for a municipality: the one
    /// in its configuration as this page keeps it (the form shows the notice from there).
    pub(super) async fn notice_version(&self, municipality: &Ags) -> Option<u32> {
        #[derive(Deserialize)]
        struct Legal {
            legal: LegalInfo,
        }
        let store = self.store().await.ok()?;
        let config: Legal = store.meta(&format!("{CONFIG_PREFIX}{}", municipality.as_str())).await?;
        Some(config.legal.notice_version)
    }

    /// Drops the local marks of a report (its id in the list of own reports, when it was seen).
    async fn forget_report(&self, id: &str) {
        let Ok(store) = self.store().await else { return };
        let mut ids: Vec<String> = store.meta(MY_IDS).await.unwrap_or_default();
        ids.retain(|i| i != id);
        let _ = store.set_meta(MY_IDS, &ids).await;
        let mut seen = self.seen().await;
        seen.remove(id);
        self.save_seen(&seen).await;
    }
}

/// Nothing to export: this browser has no registration.
fn nothing_sent() -> UiError {
    UiError {
        code: Some("not_found".to_owned()),
        ..UiError::localized("e-nothing-sent")
    }
}

/// The file name of a `Content-Disposition: attachment; filename="…"` header.
fn attachment_name(header: &str) -> Option<String> {
    let raw = header
        .split(';')
        .map(str::trim)
        .find_map(|part| part.strip_prefix("filename="))?;
    let name = raw.trim_matches('"');
    // Only a plain file name: the browser would refuse (or strip) anything else anyway.
    let plain = !name.is_empty() && !name.contains(['/', '\\']) && !name.starts_with('.');
    plain.then(|| name.to_owned())
}

/// Hands bytes to the browser's download as a file.
fn download(name: &str, bytes: &[u8], mime: &str) -> UiResult<()> {
    let js = |e: wasm_bindgen::JsValue| UiError::unexpected(format!("{e:?}"));
    let array = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&array, &options).map_err(js)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(js)?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| UiError::unexpected("no document"))?;
    let link: web_sys::HtmlElement = document
        .create_element("a")
        .map_err(js)?
        .dyn_into()
        .map_err(|_| UiError::unexpected("no link element"))?;
    link.set_attribute("href", &url).map_err(js)?;
    link.set_attribute("download", name).map_err(js)?;
    // A link outside the document downloads as well (every current browser).
    link.click();
    // Freed once the download has surely read it.
    wasm_bindgen_futures::spawn_local(async move {
        gloo_timers::future::sleep(std::time::Duration::from_secs(DOWNLOAD_URL_SECONDS)).await;
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::attachment_name;

    #[test]
    fn the_file_name_comes_from_the_header_and_stays_a_plain_name() {
        assert_eq!(
            attachment_name("attachment; filename=\"augenmerk-daten-2026-03-01.zip\"").as_deref(),
            Some("augenmerk-daten-2026-03-01.zip")
        );
        assert_eq!(attachment_name("attachment; filename=x.zip").as_deref(), Some("x.zip"));
        assert_eq!(attachment_name("attachment; filename=\"../etc/passwd\""), None);
        assert_eq!(attachment_name("attachment"), None);
    }
}
