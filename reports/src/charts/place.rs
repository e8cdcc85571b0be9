//! Where to write the label of each point of a scatter so that labels cover neither each
//! other nor the points: eight places around the point are tried in turn.

/// A box: left, top, right, bottom.
type Box = (i32, i32, i32, i32);

fn overlaps(a: Box, b: Box) -> bool {
    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
}

/// For each point (centre, dot radius `r`) and its label's size, the label's left end and
/// middle height. Inside `bounds` where possible; where no place is free, the first.
pub(super) fn labels(
    points: &[(i32, i32)],
    sizes: &[(i32, i32)],
    r: i32,
    bounds: Box,
) -> Vec<(i32, i32)> {
    let mut taken: Vec<Box> = points
        .iter()
        .map(|&(x, y)| (x - r, y - r, x + r, y + r))
        .collect();
    let mut out = Vec::with_capacity(points.len());
    for (&(px, py), &(w, h)) in points.iter().zip(sizes) {
        let (right, left) = (px + r + 3, px - r - 3 - w);
        let (up, down) = (py - h / 2 - 1, py + h / 2 + 1);
        let places = [
            (right, up),
            (right, down),
            (left, up),
            (left, down),
            (right, py),
            (left, py),
            (px - w / 2, py - r - h / 2 - 3),
            (px - w / 2, py + r + h / 2 + 3),
        ];
        let frame = |&(x, y): &(i32, i32)| (x, y - h / 2, x + w, y + h / 2);
        let free = |b: Box| {
            let inside = b.0 >= bounds.0 && b.1 >= bounds.1 && b.2 <= bounds.2 && b.3 <= bounds.3;
            // A point's own dot is among the taken boxes, but no place touches it.
            inside && !taken.iter().any(|t| overlaps(*t, b))
        };
        let chosen = places
            .iter()
            .copied()
            .find(|p| free(frame(p)))
            .unwrap_or(places[0]);
        taken.push(frame(&chosen));
        out.push(chosen);
    }
    out
}
