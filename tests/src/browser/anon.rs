//! The page's anonymizer (`src-ui/js/anon.js`) driven from a test or benchmark: scripts
//! that run it take seconds per photo, and it is loaded as a phone that opened the page
//! before would have it.

use std::time::Duration;

use serde_json::Value;

use super::Browser;

/// Loads `js/anon.js` and answers whether its worker can run in this browser. First it
/// lets the page's service worker finish installing (at most 60 s), as on a phone that
/// opened the page before: its first install fetches the shell and the models.
const LOAD: &str = r#"const done = arguments[arguments.length - 1];
    const installed = navigator.serviceWorker && navigator.serviceWorker.getRegistration
      ? navigator.serviceWorker.getRegistration().then(r => r ? navigator.serviceWorker.ready : null)
      : Promise.resolve();
    Promise.race([installed, new Promise(r => setTimeout(r, 60000))])
      .then(() => import('/js/anon.js'))
      .then(() => done(window.augenmerkAnon.available()))
      .catch(e => done('import failed: ' + e));"#;

impl Browser {
    /// Lets an asynchronous script run this long before WebDriver gives up on it.
    pub async fn set_script_timeout(&self, timeout: Duration) {
        self.client
            .update_timeouts(fantoccini::wd::TimeoutConfiguration::new(Some(timeout), None, None))
            .await
            .expect("script timeout");
    }

    /// Loads the page's anonymizer; `true` if it can run here, else why not.
    pub async fn load_anonymizer(&self) -> Value {
        self.client.execute_async(LOAD, Vec::new()).await.expect("load anon.js")
    }
}
