//! The app: the UI calls the Tauri commands of `src-tauri` (one per operation).

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

use augenmerk_domain::device::{
    AppInfo, LocalCase, LocalFollowed, LocalReport, LocalReportDetail, ReopenedReport, ReportDraft, SyncStatus,
};
use augenmerk_domain::public::{AnonymizedPhoto, MunicipalityConfig, MunicipalityInfo, NearbyReport, Responsibility};
use augenmerk_domain::staff::StaffUser;
use augenmerk_domain::{ActionId, BlobHash, ErrorBody, Language, ReportId, Status};

use super::privacy::ExportedFile;
use super::{UiError, UiResult};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "core"], js_name = invoke, catch)]
    async fn tauri_invoke(cmd: &str, args: JsValue) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "core"], js_name = invoke, catch)]
    async fn tauri_invoke_with(cmd: &str, args: JsValue, options: JsValue) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "event"], js_name = listen, catch)]
    async fn tauri_listen(event: &str, handler: &Closure<dyn FnMut(JsValue)>) -> Result<JsValue, JsValue>;
}

/// Whether the page runs inside the Tauri app (`app.withGlobalTauri`).
pub fn available() -> bool {
    web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w, &JsValue::from_str("__TAURI__")).ok())
        .is_some_and(|v| !v.is_undefined() && !v.is_null())
}

/// The Tauri commands.
#[derive(Clone, Copy)]
pub struct AppBackend;

fn to_js<T: Serialize>(value: &T) -> UiResult<JsValue> {
    // Plain objects, not JS Maps: Tauri deserializes the arguments from JSON.
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(UiError::unexpected)
}

fn error_from(value: JsValue) -> UiError {
    if let Ok(body) = serde_wasm_bindgen::from_value::<ErrorBody>(value.clone()) {
        return body.into();
    }
    let text = value.as_string().unwrap_or_else(|| format!("{value:?}"));
    UiError::new(text.clone(), text)
}

async fn call<T: DeserializeOwned>(cmd: &str, args: impl Serialize) -> UiResult<T> {
    let answer = tauri_invoke(cmd, to_js(&args)?).await.map_err(error_from)?;
    serde_wasm_bindgen::from_value(answer).map_err(UiError::unexpected)
}

#[derive(Serialize)]
struct NoArgs {}

#[derive(Serialize)]
struct IdArg<'a> {
    id: &'a str,
}

impl AppBackend {
    pub async fn app_info(&self) -> UiResult<AppInfo> {
        call("app_info", NoArgs {}).await
    }

    pub async fn locate(&self, lat: f64, lon: f64) -> UiResult<Responsibility> {
        #[derive(Serialize)]
        struct Args {
            lat: f64,
            lon: f64,
        }
        call("locate", Args { lat, lon }).await
    }

    pub async fn nearby_reports(&self, lat: f64, lon: f64, category: &str) -> UiResult<Vec<NearbyReport>> {
        #[derive(Serialize)]
        struct Args<'a> {
            lat: f64,
            lon: f64,
            category: &'a str,
        }
        call("nearby_reports", Args { lat, lon, category }).await
    }

    pub async fn municipality_config(&self, ags: &str) -> UiResult<MunicipalityConfig> {
        #[derive(Serialize)]
        struct Args<'a> {
            ags: &'a str,
        }
        call("municipality_config", Args { ags }).await
    }

    pub async fn add_photo(&self, bytes: Vec<u8>, blur: &[[f32; 4]]) -> UiResult<AnonymizedPhoto> {
        // The photo goes as the raw request body: a JSON array of bytes would be many times larger.
        let body = js_sys::Uint8Array::from(bytes.as_slice());
        let headers = js_sys::Object::new();
        let _ = js_sys::Reflect::set(
            &headers,
            &"x-augenmerk-blur".into(),
            &augenmerk_domain::blur::BlurBoxes::drawn(blur).to_string().into(),
        );
        let options = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&options, &"headers".into(), &headers);
        let answer = tauri_invoke_with("capture_photo", body.into(), options.into())
            .await
            .map_err(error_from)?;
        serde_wasm_bindgen::from_value(answer).map_err(UiError::unexpected)
    }

    pub async fn discard_photo(&self, hash: &BlobHash) -> UiResult<()> {
        #[derive(Serialize)]
        struct Args<'a> {
            hash: &'a str,
        }
        call("discard_photo", Args { hash: hash.as_str() }).await
    }

    pub async fn photo_src(&self, hash: &BlobHash) -> UiResult<String> {
        #[derive(Serialize)]
        struct Args<'a> {
            hash: &'a str,
        }
        call("photo_url", Args { hash: hash.as_str() }).await
    }

    pub async fn create_report(&self, draft: ReportDraft) -> UiResult<ReportId> {
        #[derive(Serialize)]
        struct Args {
            draft: ReportDraft,
        }
        call("create_report", Args { draft }).await
    }

    pub async fn replace_report(&self, refused: &str, draft: ReportDraft) -> UiResult<ReportId> {
        #[derive(Serialize)]
        struct Args<'a> {
            id: &'a str,
            draft: ReportDraft,
        }
        call("replace_report", Args { id: refused, draft }).await
    }

    pub async fn reopen_report(&self, id: &str) -> UiResult<ReopenedReport> {
        call("reopen_report", IdArg { id }).await
    }

    pub async fn discard_report(&self, id: &str) -> UiResult<()> {
        call("discard_report", IdArg { id }).await
    }

    pub async fn reports(&self) -> UiResult<Vec<LocalReport>> {
        call("reports", NoArgs {}).await
    }

    pub async fn report(&self, id: &str) -> UiResult<LocalReportDetail> {
        call("report", IdArg { id }).await
    }

    pub async fn mark_seen(&self, id: &str) -> UiResult<()> {
        call("mark_seen", IdArg { id }).await
    }

    pub async fn follow_report(&self, id: &str) -> UiResult<LocalFollowed> {
        call("follow_report", IdArg { id }).await
    }

    pub async fn unfollow_report(&self, id: &str) -> UiResult<()> {
        call("unfollow_report", IdArg { id }).await
    }

    pub async fn followed_reports(&self) -> UiResult<Vec<LocalFollowed>> {
        call("followed_reports", NoArgs {}).await
    }

    pub async fn mark_followed_seen(&self) -> UiResult<()> {
        call("mark_followed_seen", NoArgs {}).await
    }

    pub async fn reply(&self, id: &str, body: &str) -> UiResult<()> {
        #[derive(Serialize)]
        struct Args<'a> {
            id: &'a str,
            body: &'a str,
        }
        let _: serde_json::Value = call("reply", Args { id, body }).await?;
        Ok(())
    }

    pub async fn sync_status(&self) -> UiResult<SyncStatus> {
        call("sync_status", NoArgs {}).await
    }

    pub async fn sync_now(&self) -> UiResult<()> {
        let _: serde_json::Value = call("sync_now", NoArgs {}).await?;
        Ok(())
    }

    pub fn on_sync_change(&self, on_change: impl Fn(SyncStatus) + Send + Sync + 'static) {
        let handler = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            let payload = js_sys::Reflect::get(&event, &"payload".into()).unwrap_or(JsValue::NULL);
            if let Ok(status) = serde_wasm_bindgen::from_value::<SyncStatus>(payload) {
                on_change(status);
            }
        });
        wasm_bindgen_futures::spawn_local(async move {
            let _ = tauri_listen("augenmerk://sync", &handler).await;
            // The listener lives as long as the page.
            handler.forget();
        });
    }

    pub async fn staff_municipalities(&self) -> UiResult<Vec<MunicipalityInfo>> {
        call("staff_municipalities", NoArgs {}).await
    }

    pub async fn login(
        &self,
        municipality: Option<String>,
        username: &str,
        password: &str,
        totp: Option<&str>,
    ) -> UiResult<StaffUser> {
        #[derive(Serialize)]
        struct Args<'a> {
            municipality: Option<String>,
            username: &'a str,
            password: &'a str,
            totp: Option<&'a str>,
        }
        call(
            "login",
            Args {
                municipality,
                username,
                password,
                totp,
            },
        )
        .await
    }

    pub async fn logout(&self) -> UiResult<()> {
        call("logout", NoArgs {}).await
    }

    pub async fn staff_user(&self) -> UiResult<Option<StaffUser>> {
        call("staff_user", NoArgs {}).await
    }

    pub async fn cases(&self) -> UiResult<Vec<LocalCase>> {
        call("cases", NoArgs {}).await
    }

    pub async fn case_detail(&self, id: &str) -> UiResult<LocalCase> {
        call("case_detail", IdArg { id }).await
    }

    pub async fn queue_transition(
        &self,
        case: &str,
        to: Status,
        expected: Status,
        comment: Option<String>,
        photos: Vec<BlobHash>,
    ) -> UiResult<ActionId> {
        #[derive(Serialize)]
        struct Args<'a> {
            case: &'a str,
            to: Status,
            expected: Status,
            comment: Option<String>,
            photos: Vec<BlobHash>,
        }
        call(
            "queue_transition",
            Args {
                case,
                to,
                expected,
                comment,
                photos,
            },
        )
        .await
    }

    pub async fn queue_note(&self, case: &str, body: &str) -> UiResult<ActionId> {
        #[derive(Serialize)]
        struct Args<'a> {
            case: &'a str,
            body: &'a str,
        }
        call("queue_note", Args { case, body }).await
    }

    pub async fn queue_case_message(&self, case: &str, body: &str) -> UiResult<ActionId> {
        #[derive(Serialize)]
        struct Args<'a> {
            case: &'a str,
            body: &'a str,
        }
        call("queue_case_message", Args { case, body }).await
    }

    pub async fn dismiss_action(&self, id: &str) -> UiResult<()> {
        call("dismiss_action", IdArg { id }).await
    }

    // ---- privacy (see super::privacy) ----

    pub async fn export_my_data(&self) -> UiResult<ExportedFile> {
        #[derive(Deserialize)]
        struct Saved {
            name: String,
            location: String,
        }
        let saved: Saved = call("export_my_data", NoArgs {}).await?;
        Ok(ExportedFile {
            name: saved.name,
            location: Some(saved.location),
        })
    }

    pub async fn withdraw_report(&self, id: &str) -> UiResult<()> {
        call("withdraw_report", IdArg { id }).await
    }

    pub async fn erase_my_data(&self) -> UiResult<u32> {
        call("erase_my_data", NoArgs {}).await
    }

    pub async fn request_email_erasure(&self, email: &str, language: Language) -> UiResult<()> {
        #[derive(Serialize)]
        struct Args<'a> {
            email: &'a str,
            language: Language,
        }
        call("request_email_erasure", Args { email, language }).await
    }
}
