//! Areas a citizen marked to blur in a photo (beyond the faces and plates the anonymizer
//! finds), as the app's command and the server's `POST /api/v1/photos?blur=…` take them:
//! `x1,y1,x2,y2;…` in the upright original's pixels. Parsed once here, by the server and
//! the app alike, and formatted here for the UI.

use std::fmt;
use std::str::FromStr;

use crate::error::FieldError;

/// Most boxes one photo may carry.
pub const MAX_BLUR_BOXES: usize = 50;

/// Valid boxes: four finite numbers each, `x1 < x2`, `y1 < y2`; at most [`MAX_BLUR_BOXES`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BlurBoxes(Vec<[f32; 4]>);

impl BlurBoxes {
    /// Boxes as the UI drew them (formatting only; the receiver parses and checks them).
    pub fn drawn(boxes: &[[f32; 4]]) -> Self {
        Self(boxes.to_vec())
    }

    /// The boxes as `[x1, y1, x2, y2]`.
    pub fn boxes(&self) -> &[[f32; 4]] {
        &self.0
    }
}

impl FromStr for BlurBoxes {
    type Err = FieldError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let invalid = || FieldError::new("blur", "invalid_box");
        let mut out = Vec::new();
        for part in s.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let n: Vec<f32> = part
                .split(',')
                .map(|v| v.trim().parse::<f32>().map_err(|_| invalid()))
                .collect::<Result<_, _>>()?;
            match n.as_slice() {
                &[x1, y1, x2, y2] if n.iter().all(|v| v.is_finite()) && x1 < x2 && y1 < y2 => {
                    out.push([x1, y1, x2, y2])
                }
                _ => return Err(invalid()),
            }
            if out.len() > MAX_BLUR_BOXES {
                return Err(FieldError::new("blur", "too_many"));
            }
        }
        Ok(Self(out))
    }
}

impl fmt::Display for BlurBoxes {
    /// Whole pixels: the boxes are drawn by hand, a fraction of a pixel means nothing.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, b) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(";")?;
            }
            write!(f, "{:.0},{:.0},{:.0},{:.0}", b[0], b[1], b[2], b[3])?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boxes_parse_and_bad_ones_are_refused() {
        assert_eq!("".parse::<BlurBoxes>().map(|b| b.boxes().len()), Ok(0));
        let boxes: Result<BlurBoxes, _> = "10,20,30,40; 0,0,5.5,6".parse();
        assert_eq!(
            boxes.as_ref().map(BlurBoxes::boxes),
            Ok(&[[10.0, 20.0, 30.0, 40.0], [0.0, 0.0, 5.5, 6.0]][..])
        );
        for bad in [
            "1,2,3",
            "1,2,3,4,5",
            "a,b,c,d",
            "30,20,10,40",
            "1,2,NaN,4",
            "1,2,inf,4",
            "1,x,3,4",
        ] {
            assert_eq!(
                bad.parse::<BlurBoxes>().map_err(|e| e.problem),
                Err("invalid_box".to_owned()),
                "{bad}"
            );
        }
        let many = vec!["0,0,1,1"; MAX_BLUR_BOXES + 1].join(";");
        assert_eq!(
            many.parse::<BlurBoxes>().map_err(|e| e.problem),
            Err("too_many".to_owned())
        );
    }

    #[test]
    fn drawn_boxes_are_formatted_as_they_are_parsed() {
        let drawn = BlurBoxes::drawn(&[[1.2, 2.0, 30.6, 40.0], [5.0, 6.0, 7.0, 8.0]]);
        assert_eq!(drawn.to_string(), "1,2,31,40;5,6,7,8");
        assert_eq!(drawn.to_string().parse::<BlurBoxes>().map(|b| b.boxes().len()), Ok(2));
        assert_eq!(BlurBoxes::default().to_string(), "");
    }
}
