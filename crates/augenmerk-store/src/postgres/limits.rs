//! Rate limits shared by every instance, as one row per key (GCRA, as governor computes
//! it in memory on a single instance).
//!
//! A key's row holds its theoretical arrival time (TAT). A request at `now` is allowed
//! when `max(TAT, now) + T − now ≤ τ` (T: the interval of one request, τ: the burst's
//! worth of intervals), and then TAT becomes `max(TAT, now) + T`. The check and the
//! update are one `INSERT … ON CONFLICT DO UPDATE … WHERE`, so instances racing on one
//! key serialize on its row and never both spend the last token.

use async_trait::async_trait;

use super::PgStore;
use crate::{RateCounter, RateDecision, StoreResult};

/// Rows older than this many microseconds past their TAT are swept at most this often.
const SWEEP_EVERY_MICROS: i64 = 60_000_000;

#[async_trait]
impl RateCounter for PgStore {
    async fn take(&self, key: &str, now_micros: i64, interval_micros: i64, burst: u32) -> StoreResult<RateDecision> {
        let client = self.client().await?;
        let tolerance = interval_micros.saturating_mul(i64::from(burst.max(1)));
        let allowed = client
            .query_opt(
                "INSERT INTO rate_limits AS r (key, tat) VALUES ($1::text, $2::bigint + $3::bigint)
                 ON CONFLICT (key) DO UPDATE SET tat = greatest(r.tat, $2::bigint) + $3::bigint
                  WHERE greatest(r.tat, $2::bigint) + $3::bigint - $2::bigint <= $4::bigint
                 RETURNING tat",
                &[&key, &now_micros, &interval_micros, &tolerance],
            )
            .await?;
        self.sweep_rate_limits(&client, now_micros).await?;
        if allowed.is_some() {
            return Ok(RateDecision::Allowed);
        }
        let tat: i64 = match client
            .query_opt("SELECT tat FROM rate_limits WHERE key = $1", &[&key])
            .await?
        {
            Some(row) => row.try_get(0)?,
            None => return Ok(RateDecision::Allowed),
        };
        let wait = (tat + interval_micros - now_micros - tolerance).max(0);
        Ok(RateDecision::Refused {
            retry_after_micros: wait,
        })
    }
}

impl PgStore {
    /// Deletes keys whose TAT has passed (they are as good as new), at most once a minute
    /// per instance.
    async fn sweep_rate_limits(&self, client: &deadpool_postgres::Object, now_micros: i64) -> StoreResult<()> {
        let last = self.last_sweep.load(std::sync::atomic::Ordering::Relaxed);
        if now_micros - last < SWEEP_EVERY_MICROS {
            return Ok(());
        }
        if self
            .last_sweep
            .compare_exchange(
                last,
                now_micros,
                std::sync::atomic::Ordering::Relaxed,
                std::sync::atomic::Ordering::Relaxed,
            )
            .is_ok()
        {
            client
                .execute("DELETE FROM rate_limits WHERE tat < $1", &[&now_micros])
                .await?;
        }
        Ok(())
    }
}
