//! What the device keeps, as the app and the command line see it. The shared types live in
//! [`augenmerk_domain::device`]; the capture result holds the anonymizer's own boxes.

use serde::Serialize;

use augenmerk_domain::public::{
    AdministrationRef, AnonymizedPhoto, BlurredArea, Delivery, MunicipalityConfig, Responsibility,
};
use augenmerk_domain::{Ags, BlobHash, GeoPoint};

pub use augenmerk_domain::device::*;

/// A photo after anonymization.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CapturedPhoto {
    /// Its hash (the name under which it is stored and uploaded).
    pub hash: BlobHash,
    /// Size of the stored JPEG.
    pub size: u64,
    /// Width and height of the stored JPEG.
    pub dimensions: (u32, u32),
    /// Width and height of the (upright) original, the space the boxes are in.
    pub source_dimensions: (u32, u32),
    /// The obscured boxes (faces, plates, the user's own marks).
    pub blurred: Vec<augenmerk_anon::BlurredBox>,
    /// The photo's GPS position, suggested as the report's location.
    pub suggested_location: Option<GeoPoint>,
}

impl From<CapturedPhoto> for AnonymizedPhoto {
    fn from(p: CapturedPhoto) -> Self {
        AnonymizedPhoto {
            hash: p.hash,
            width: p.dimensions.0,
            height: p.dimensions.1,
            source_width: p.source_dimensions.0,
            source_height: p.source_dimensions.1,
            blurred: p.blurred.iter().map(BlurredArea::from).collect(),
            suggested_location: p.suggested_location,
        }
    }
}

/// Where a place lies, from the cached configurations ([`crate::Client::locate`]): the
/// administration that takes reports there and the Gemeinde itself.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Located {
    /// The administration's key, under which the report is filed: the tenant (an
    /// amtsfreie Gemeinde, or an Amt), or a directory entry reports are mailed to.
    pub ags: Ags,
    /// The administration's name, e.g. "Amt Langballig".
    pub name: String,
    /// Its cached configuration (categories, questions, where reports go).
    pub config: MunicipalityConfig,
    /// The Gemeinde the place lies in (the administration's own key for one that serves
    /// a single Gemeinde).
    pub gemeinde: Ags,
    /// The Gemeinde's name, e.g. "Wees".
    pub gemeinde_name: String,
    /// 0 inside the Gemeinde; otherwise metres outside it (within the tolerance).
    pub distance_m: f64,
    /// Near a border: the neighbouring administrations within the tolerance that take
    /// reports ([`augenmerk_geo::candidates`]), nearest first, each without alternatives.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub alternatives: Vec<Located>,
}

impl Located {
    /// Where a report that names `administration` goes: this place, or the neighbour the
    /// citizen chose near a border; `None` if it names neither.
    pub fn chosen(self, administration: Option<&Ags>) -> Option<Located> {
        match administration {
            None => Some(self),
            Some(key) if *key == self.ags => Some(self),
            Some(key) => self.alternatives.into_iter().find(|a| a.ags == *key),
        }
    }

    /// Whether the administration serves several Gemeinden (an Amt): citizens then see
    /// "Gemeinde (Amt …)".
    pub fn serves_several(&self) -> bool {
        self.config.gemeinden.len() > 1
    }

    /// The place as citizens see it: "Wees (Amt Langballig)", or just "Flensburg".
    pub fn place_name(&self) -> String {
        augenmerk_domain::public::place_name(&self.gemeinde_name, self.serves_several().then_some(self.name.as_str()))
    }

    /// Where a report from here goes: worked on the platform, or mailed to the administration.
    pub fn delivery(&self) -> &Delivery {
        &self.config.delivery
    }

    /// The answer the server would give for the place (`GET /api/v1/responsibility`).
    pub fn responsibility(&self) -> Responsibility {
        Responsibility {
            ags: self.gemeinde.clone(),
            name: self.gemeinde_name.clone(),
            distance_m: self.distance_m,
            // Only administrations that take reports are cached (see refresh_configuration).
            active: self.config.delivery != Delivery::Refused,
            administration: Some(AdministrationRef {
                key: self.ags.clone(),
                name: self.name.clone(),
                serves_several: self.serves_several(),
            }),
            delivery: self.config.delivery.clone(),
            alternatives: self.alternatives.iter().map(Located::responsibility).collect(),
        }
    }
}
