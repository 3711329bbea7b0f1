//! The captures the table shows: every row in id order, and the indices of those the current
//! filter lets through. Rebuilt only when the filter or the data changes.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use crate::capture::CaptureRow;

#[derive(Default)]
pub struct CaptureList {
    rows: Vec<CaptureRow>,
    /// Indices into `rows`, increasing.
    visible: Vec<usize>,
    /// While a filter is set, new rows wait for the store to say whether they match.
    filtered: bool,
    arrivals: VecDeque<Instant>,
    /// Kept as rows come and go: the counters are drawn every frame.
    rejected: usize,
    repeat_count: usize,
    /// First capture → its repeats, for the detail pane.
    repeats: HashMap<i64, Vec<i64>>,
}

impl CaptureList {
    pub fn rows(&self) -> &[CaptureRow] {
        &self.rows
    }

    pub fn visible(&self) -> &[usize] {
        &self.visible
    }

    pub fn visible_row(&self, position: usize) -> Option<&CaptureRow> {
        self.visible.get(position).map(|&i| &self.rows[i])
    }

    pub fn first_id(&self) -> Option<i64> {
        self.rows.first().map(|r| r.id)
    }

    pub fn last_id(&self) -> i64 {
        self.rows.last().map_or(0, |r| r.id)
    }

    pub fn position_of(&self, id: i64) -> Option<usize> {
        let index = self.index_of(id)?;
        self.visible.binary_search(&index).ok()
    }

    fn index_of(&self, id: i64) -> Option<usize> {
        self.rows.binary_search_by_key(&id, |r| r.id).ok()
    }

    pub fn row_mut(&mut self, id: i64) -> Option<&mut CaptureRow> {
        self.index_of(id).map(|i| &mut self.rows[i])
    }

    /// Adds rows (new arrivals or a load from the store). Returns the ids that still need the
    /// filter's verdict; without a filter they are visible at once.
    pub fn add(&mut self, rows: Vec<CaptureRow>, counted_as_arrivals: bool) -> Vec<i64> {
        let in_order = match (self.rows.last(), rows.first()) {
            (Some(last), Some(first)) => first.id > last.id,
            _ => true,
        };
        if counted_as_arrivals {
            let now = Instant::now();
            self.arrivals.extend(rows.iter().map(|_| now));
        }
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let known = self.rows.len();
        if in_order {
            let start = self.rows.len();
            self.rows.extend(rows);
            if !self.filtered {
                self.visible.extend(start..self.rows.len());
            }
        } else {
            // Rows loaded from the store overlapping ones already announced live.
            let visible_ids = self.visible_ids();
            self.rows.extend(rows);
            self.rows.sort_by_key(|r| r.id);
            self.rows.dedup_by_key(|r| r.id);
            if self.filtered {
                self.show_only(&visible_ids);
            } else {
                self.visible = (0..self.rows.len()).collect();
            }
        }
        if in_order {
            let added: Vec<_> = self.rows[known..]
                .iter()
                .map(|r| (r.id, r.rejected, r.repeat_of))
                .collect();
            for (id, rejected, repeat_of) in added {
                self.count(id, rejected, repeat_of);
            }
        } else {
            self.recount();
        }
        if self.filtered {
            ids
        } else {
            Vec::new()
        }
    }

    /// Adds rows older than every row held (a big store is read from its newest end, a page
    /// at a time). Returns the ids that still need the filter's verdict.
    pub fn add_older(&mut self, mut rows: Vec<CaptureRow>) -> Vec<i64> {
        let first = self.rows.first().map_or(i64::MAX, |r| r.id);
        rows.retain(|r| r.id < first);
        let added = rows.len();
        let counts: Vec<_> = rows
            .iter()
            .map(|r| (r.id, r.rejected, r.repeat_of))
            .collect();
        rows.append(&mut self.rows);
        self.rows = rows;
        for index in &mut self.visible {
            *index += added;
        }
        if !self.filtered {
            self.visible.splice(0..0, 0..added);
        }
        for (id, rejected, repeat_of) in counts {
            self.count(id, rejected, repeat_of);
        }
        for repeats in self.repeats.values_mut() {
            repeats.sort_unstable();
        }
        if self.filtered {
            self.rows[..added].iter().map(|r| r.id).collect()
        } else {
            Vec::new()
        }
    }

    fn count(&mut self, id: i64, rejected: bool, repeat_of: Option<i64>) {
        self.rejected += usize::from(rejected);
        if let Some(first) = repeat_of {
            self.repeat_count += 1;
            self.repeats.entry(first).or_default().push(id);
        }
    }

    fn recount(&mut self) {
        self.rejected = 0;
        self.repeat_count = 0;
        self.repeats.clear();
        let counts: Vec<(i64, bool, Option<i64>)> = self
            .rows
            .iter()
            .map(|r| (r.id, r.rejected, r.repeat_of))
            .collect();
        for (id, rejected, repeat_of) in counts {
            self.count(id, rejected, repeat_of);
        }
    }

    fn visible_ids(&self) -> Vec<i64> {
        self.visible.iter().map(|&i| self.rows[i].id).collect()
    }

    fn show_only(&mut self, ids: &[i64]) {
        self.visible = ids.iter().filter_map(|&id| self.index_of(id)).collect();
        self.visible.sort_unstable();
        self.visible.dedup();
    }

    /// A filter was cleared: everything is visible again.
    pub fn show_all(&mut self) {
        self.filtered = false;
        self.visible = (0..self.rows.len()).collect();
    }

    /// The store's verdict for a filter: the full set, or (`partial`) those of new arrivals.
    pub fn show_matching(&mut self, ids: &[i64], partial: bool) {
        self.filtered = true;
        if partial {
            let mut visible = self.visible_ids();
            visible.extend_from_slice(ids);
            self.show_only(&visible);
        } else {
            self.show_only(ids);
        }
    }

    /// From now on new rows wait for the filter's verdict.
    pub fn start_filtering(&mut self) {
        self.filtered = true;
    }

    pub fn remove(&mut self, ids: &[i64]) {
        let visible: Vec<i64> = self
            .visible_ids()
            .into_iter()
            .filter(|id| !ids.contains(id))
            .collect();
        self.rows.retain(|r| !ids.contains(&r.id));
        self.show_only(&visible);
        self.recount();
    }

    pub fn clear(&mut self) {
        self.rows.clear();
        self.visible.clear();
        self.recount();
    }

    /// Captures that arrived within the last second.
    pub fn per_second(&mut self) -> usize {
        let cutoff = Instant::now() - Duration::from_secs(1);
        while self.arrivals.front().is_some_and(|&t| t < cutoff) {
            self.arrivals.pop_front();
        }
        self.arrivals.len()
    }

    pub fn rejected(&self) -> usize {
        self.rejected
    }

    pub fn repeats(&self) -> usize {
        self.repeat_count
    }

    /// The captures marked as repeats of `id`.
    pub fn repeats_of(&self, id: i64) -> &[i64] {
        self.repeats.get(&id).map_or(&[], Vec::as_slice)
    }
}

/// A plain row for tests: a generic POST to `/`.
#[cfg(test)]
pub(super) fn row(id: i64) -> CaptureRow {
    CaptureRow {
        id,
        received_at: time::OffsetDateTime::UNIX_EPOCH,
        provider: crate::capture::Provider::Generic,
        texts: crate::capture::RowTexts::new(["POST", "/", "", "", ""]),
        status: 200,
        size: 0,
        repeat_of: None,
        rejected: false,
        unconfirmed: false,
        malformed: false,
        pinned: false,
        forward: None,
        host_id: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use super::row;

    fn visible_ids(list: &CaptureList) -> Vec<i64> {
        list.visible().iter().map(|&i| list.rows()[i].id).collect()
    }

    #[test]
    fn unfiltered_rows_show_at_once_and_overlapping_loads_merge() {
        let mut list = CaptureList::default();
        assert!(list.add(vec![row(5), row(6)], true).is_empty());
        list.add(vec![row(1), row(2), row(5)], false);
        assert_eq!(visible_ids(&list), [1, 2, 5, 6]);
        assert_eq!(list.last_id(), 6);
    }

    #[test]
    fn filtered_rows_wait_for_the_verdict() {
        let mut list = CaptureList::default();
        list.add((1..=4).map(row).collect(), false);
        list.show_matching(&[2, 4], false);
        assert_eq!(list.add(vec![row(5), row(6)], true), [5, 6]);
        assert_eq!(visible_ids(&list), [2, 4]);
        list.show_matching(&[6], true);
        assert_eq!(visible_ids(&list), [2, 4, 6]);
        assert_eq!(list.position_of(6), Some(2));
        list.remove(&[4]);
        assert_eq!(visible_ids(&list), [2, 6]);
        list.show_all();
        assert_eq!(visible_ids(&list), [1, 2, 3, 5, 6]);
    }

    #[test]
    fn older_pages_go_before_and_keep_the_filters_verdicts() {
        let mut list = CaptureList::default();
        list.add(vec![row(7), row(8)], false);
        let mut repeat = row(5);
        repeat.repeat_of = Some(1);
        assert!(list.add_older(vec![row(4), repeat, row(8)]).is_empty());
        assert_eq!(visible_ids(&list), [4, 5, 7, 8]);
        assert_eq!((list.first_id(), list.repeats_of(1)), (Some(4), &[5][..]));

        list.show_matching(&[5, 8], false);
        assert_eq!(list.add_older(vec![row(1), row(2)]), [1, 2]);
        assert_eq!(visible_ids(&list), [5, 8]);
        list.show_matching(&[2], true);
        assert_eq!(visible_ids(&list), [2, 5, 8]);
        assert_eq!(list.position_of(8), Some(2));
    }

    #[test]
    fn counters_follow_additions_merges_and_removals() {
        let mut list = CaptureList::default();
        let mut repeat = row(3);
        repeat.repeat_of = Some(1);
        let mut refused = row(4);
        refused.rejected = true;
        list.add(vec![row(1), row(2), repeat.clone(), refused.clone()], true);
        assert_eq!(
            (list.rejected(), list.repeats(), list.repeats_of(1)),
            (1, 1, &[3][..])
        );
        list.add(vec![row(1), repeat], false);
        assert_eq!((list.rejected(), list.repeats()), (1, 1));
        list.remove(&[3, 4]);
        assert_eq!(
            (list.rejected(), list.repeats(), list.repeats_of(1)),
            (0, 0, &[][..])
        );
    }
}
