//! What the device keeps, as the app and the command line see it. The shared types live in
//! [`augenmerk_domain::device`]; the capture result holds the anonymizer's own boxes.

use serde::Serialize;

use augenmerk_domain::public::{AnonymizedPhoto, BlurredArea, BlurredKind};
use augenmerk_domain::{BlobHash, GeoPoint};

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
            blurred: p
                .blurred
                .iter()
                .map(|b| BlurredArea {
                    kind: match b.kind {
                        augenmerk_anon::Kind::Face => BlurredKind::Face,
                        augenmerk_anon::Kind::Plate => BlurredKind::Plate,
                        augenmerk_anon::Kind::Manual => BlurredKind::Manual,
                    },
                    area: [b.bbox.x1, b.bbox.y1, b.bbox.x2, b.bbox.y2],
                })
                .collect(),
            suggested_location: p.suggested_location,
        }
    }
}
