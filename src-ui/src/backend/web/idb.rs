//! The page's IndexedDB database `augenmerk`, through `web-sys` with no wrapper crate: three
//! object stores with out-of-line string keys — `outbox` (reports not yet accepted by the
//! server, JSON text), `photos` (anonymized JPEGs as `Uint8Array`, keyed by their hash) and
//! `meta` (small JSON values: seen marks, own report ids, cached municipality configs).
//!
//! Each call is one transaction whose requests are all issued before the first `await`:
//! a transaction closes as soon as no request is pending, so awaiting between two requests
//! of one transaction is not safe in every browser.

use js_sys::{Array, Promise};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbObjectStore, IdbRequest, IdbTransaction, IdbTransactionMode};

/// The database's name (the page contract names it; tests open it).
pub const DB_NAME: &str = "augenmerk";
/// Reports the server has not accepted yet.
pub const OUTBOX: &str = "outbox";
/// Anonymized photos, keyed by their hash.
pub const PHOTOS: &str = "photos";
/// Small values: seen marks, own report ids, cached configs.
pub const META: &str = "meta";

/// IndexedDB failed (private mode without storage, quota, a blocked upgrade).
#[derive(Debug, thiserror::Error)]
#[error("IndexedDB: {0}")]
pub struct IdbError(pub String);

impl From<JsValue> for IdbError {
    fn from(e: JsValue) -> Self {
        let text = e
            .dyn_ref::<js_sys::Error>()
            .map(|e| String::from(e.message()))
            .or_else(|| e.dyn_ref::<web_sys::DomException>().map(|d| d.message()))
            .unwrap_or_else(|| format!("{e:?}"));
        Self(text)
    }
}

/// An open database. Cheap to clone (a handle).
#[derive(Clone)]
pub struct Db(IdbDatabase);

impl Db {
    /// Opens (and creates or upgrades) the database.
    ///
    /// Opened at whatever version it has; when a store is missing (a new build added one,
    /// or something opened the name before this page did), opened again one version up,
    /// which creates what is missing. So no version number has to be kept in step here.
    pub async fn open() -> Result<Self, IdbError> {
        let factory = web_sys::window()
            .ok_or_else(|| IdbError("no window".into()))?
            .indexed_db()?
            .ok_or_else(|| IdbError("not available".into()))?;
        let mut db = open_at(&factory, None).await?;
        if !has_all_stores(&db) {
            let next = u32::try_from(db.version() as u64).unwrap_or(1).saturating_add(1);
            db.close();
            db = open_at(&factory, Some(next)).await?;
        }
        // Another tab of a newer build wants to upgrade: let it (this tab reopens on reload).
        let closing = db.clone();
        let on_version = Closure::<dyn FnMut()>::new(move || closing.close());
        db.set_onversionchange(Some(on_version.as_ref().unchecked_ref()));
        on_version.forget();
        Ok(Self(db))
    }

    fn store(&self, name: &str, mode: IdbTransactionMode) -> Result<(IdbTransaction, IdbObjectStore), IdbError> {
        let tx = self.0.transaction_with_str_and_mode(name, mode)?;
        let store = tx.object_store(name)?;
        Ok((tx, store))
    }

    /// The value under `key`, if any.
    pub async fn get(&self, store: &str, key: &str) -> Result<Option<JsValue>, IdbError> {
        let (_tx, s) = self.store(store, IdbTransactionMode::Readonly)?;
        let value = request(&s.get(&JsValue::from_str(key))?).await?;
        Ok((!value.is_undefined()).then_some(value))
    }

    /// All keys and values of a store, in key order.
    pub async fn all(&self, store: &str) -> Result<Vec<(String, JsValue)>, IdbError> {
        let (_tx, s) = self.store(store, IdbTransactionMode::Readonly)?;
        // Both requests before the first await (see the module comment).
        let keys = s.get_all_keys()?;
        let values = s.get_all()?;
        let keys: Array = request(&keys).await?.unchecked_into();
        let values: Array = request(&values).await?.unchecked_into();
        Ok(keys
            .iter()
            .zip(values.iter())
            .filter_map(|(k, v)| k.as_string().map(|k| (k, v)))
            .collect())
    }

    /// Writes and deletes in one transaction: all of it happens, or none.
    pub async fn write(&self, store: &str, puts: &[(String, JsValue)], deletes: &[String]) -> Result<(), IdbError> {
        let (tx, s) = self.store(store, IdbTransactionMode::Readwrite)?;
        for key in deletes {
            s.delete(&JsValue::from_str(key))?;
        }
        for (key, value) in puts {
            s.put_with_key(value, &JsValue::from_str(key))?;
        }
        done(&tx).await
    }

    /// Stores one value.
    pub async fn put(&self, store: &str, key: &str, value: JsValue) -> Result<(), IdbError> {
        self.write(store, &[(key.to_owned(), value)], &[]).await
    }

    /// Deletes the given keys.
    pub async fn delete(&self, store: &str, keys: &[String]) -> Result<(), IdbError> {
        self.write(store, &[], keys).await
    }

    /// Empties a store.
    pub async fn clear(&self, store: &str) -> Result<(), IdbError> {
        let (tx, s) = self.store(store, IdbTransactionMode::Readwrite)?;
        s.clear()?;
        done(&tx).await
    }
}

fn has_all_stores(db: &IdbDatabase) -> bool {
    let names = db.object_store_names();
    [OUTBOX, PHOTOS, META].iter().all(|s| names.contains(s))
}

/// Opens the database at `version` (its current one when `None`), creating missing stores
/// in the upgrade.
async fn open_at(factory: &web_sys::IdbFactory, version: Option<u32>) -> Result<IdbDatabase, IdbError> {
    let open = match version {
        Some(v) => factory.open_with_u32(DB_NAME, v)?,
        None => factory.open(DB_NAME)?,
    };
    let upgrade =
        Closure::<dyn FnMut(web_sys::IdbVersionChangeEvent)>::new(move |ev: web_sys::IdbVersionChangeEvent| {
            let Some(db) = ev
                .target()
                .and_then(|t| t.dyn_into::<IdbRequest>().ok())
                .and_then(|r| r.result().ok())
                .and_then(|r| r.dyn_into::<IdbDatabase>().ok())
            else {
                return;
            };
            let names = db.object_store_names();
            for store in [OUTBOX, PHOTOS, META] {
                if !names.contains(store) {
                    let _ = db.create_object_store(store);
                }
            }
        });
    open.set_onupgradeneeded(Some(upgrade.as_ref().unchecked_ref()));
    let result = request(&open).await;
    open.set_onupgradeneeded(None);
    drop(upgrade);
    result?.dyn_into().map_err(IdbError::from)
}

/// Waits for a request's result.
async fn request(req: &IdbRequest) -> Result<JsValue, IdbError> {
    let mut settle: Option<(js_sys::Function, js_sys::Function)> = None;
    let promise = Promise::new(&mut |resolve, reject| settle = Some((resolve, reject)));
    let (resolve, reject) = settle.ok_or_else(|| IdbError("promise not started".into()))?;
    let r = req.clone();
    let ok = Closure::<dyn FnMut()>::new(move || {
        let _ = resolve.call1(&JsValue::NULL, &r.result().unwrap_or(JsValue::UNDEFINED));
    });
    let r = req.clone();
    let failed = Closure::<dyn FnMut()>::new(move || {
        let error = r.error().ok().flatten().map(JsValue::from).unwrap_or(JsValue::NULL);
        let _ = reject.call1(&JsValue::NULL, &error);
    });
    req.set_onsuccess(Some(ok.as_ref().unchecked_ref()));
    req.set_onerror(Some(failed.as_ref().unchecked_ref()));
    let result = JsFuture::from(promise).await;
    // Settled: neither handler runs again, so the closures may go.
    req.set_onsuccess(None);
    req.set_onerror(None);
    result.map_err(IdbError::from)
}

/// Waits until a transaction has committed.
async fn done(tx: &IdbTransaction) -> Result<(), IdbError> {
    let mut settle: Option<(js_sys::Function, js_sys::Function)> = None;
    let promise = Promise::new(&mut |resolve, reject| settle = Some((resolve, reject)));
    let (resolve, reject) = settle.ok_or_else(|| IdbError("promise not started".into()))?;
    let ok = Closure::<dyn FnMut()>::new(move || {
        let _ = resolve.call0(&JsValue::NULL);
    });
    let t = tx.clone();
    let failed = Closure::<dyn FnMut()>::new(move || {
        let error = t.error().map(JsValue::from).unwrap_or(JsValue::NULL);
        let _ = reject.call1(&JsValue::NULL, &error);
    });
    tx.set_oncomplete(Some(ok.as_ref().unchecked_ref()));
    tx.set_onerror(Some(failed.as_ref().unchecked_ref()));
    tx.set_onabort(Some(failed.as_ref().unchecked_ref()));
    let result = JsFuture::from(promise).await;
    tx.set_oncomplete(None);
    tx.set_onerror(None);
    tx.set_onabort(None);
    result.map(drop).map_err(IdbError::from)
}
