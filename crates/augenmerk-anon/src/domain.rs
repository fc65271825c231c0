//! The pipeline's results in the domain's words, as the app, the server and the browser
//! all report them ([`AnonymizedPhoto`](augenmerk_domain::public::AnonymizedPhoto)): one
//! conversion instead of one per caller.

use augenmerk_domain::GeoPoint;
use augenmerk_domain::public::{BlurredArea, BlurredKind};

use crate::detect::Kind;
use crate::metadata::GpsInfo;
use crate::pipeline::BlurredBox;

impl From<&BlurredBox> for BlurredArea {
    fn from(b: &BlurredBox) -> Self {
        BlurredArea {
            kind: match b.kind {
                Kind::Face => BlurredKind::Face,
                Kind::Plate => BlurredKind::Plate,
                Kind::Manual => BlurredKind::Manual,
            },
            area: [b.bbox.x1, b.bbox.y1, b.bbox.x2, b.bbox.y2],
        }
    }
}

impl GpsInfo {
    /// The position as a report's suggested location; `None` for coordinates no place on
    /// Earth has (a damaged or forged EXIF block).
    pub fn suggested_location(&self) -> Option<GeoPoint> {
        GeoPoint::parse(self.latitude, self.longitude).ok()
    }
}
