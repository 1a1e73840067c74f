// A reusable list of [start, end) ranges found in one string. Detectors push
// into it; the redactor sorts, merges and masks. Reused across values so a
// scan allocates nothing until something is actually masked.
export class Spans {
  start: number[] = [];
  end: number[] = [];
  n = 0;

  reset(): void {
    this.n = 0;
  }

  push(start: number, end: number): void {
    if (end <= start) return;
    this.start[this.n] = start;
    this.end[this.n] = end;
    this.n++;
  }

  /** Sorts by start and merges overlapping ranges. */
  normalize(): void {
    this.sortByStart();
    const { start, end } = this;
    let w = 0;
    for (let i = 0; i < this.n; i++) {
      if (w > 0 && start[i]! < end[w - 1]!) {
        if (end[i]! > end[w - 1]!) end[w - 1] = end[i]!;
      } else {
        start[w] = start[i]!;
        end[w] = end[i]!;
        w++;
      }
    }
    this.n = w;
  }

  /**
   * Sorts by start (ends follow their starts). Detectors push a few sorted runs
   * one after the other, so n is usually small and insertion sort is fastest;
   * a long unsorted list (a hostile value with thousands of finds) is sorted
   * by index instead, in n log n, where insertion sort would take n².
   */
  sortByStart(): void {
    const { start, end } = this;
    const n = this.n;
    let sorted = true;
    for (let i = 1; i < n; i++)
      if (start[i - 1]! > start[i]!) {
        sorted = false;
        break;
      }
    if (sorted) return;
    if (n <= INSERTION_SORT_MAX) {
      for (let i = 1; i < n; i++) {
        const s = start[i]!;
        const e = end[i]!;
        let j = i - 1;
        while (j >= 0 && start[j]! > s) {
          start[j + 1] = start[j]!;
          end[j + 1] = end[j]!;
          j--;
        }
        start[j + 1] = s;
        end[j + 1] = e;
      }
      return;
    }
    const idx = Array.from({ length: n }, (_, i) => i).sort((x, y) => start[x]! - start[y]! || x - y);
    const s2 = idx.map((i) => start[i]!);
    const e2 = idx.map((i) => end[i]!);
    for (let i = 0; i < n; i++) {
      start[i] = s2[i]!;
      end[i] = e2[i]!;
    }
  }
}

const INSERTION_SORT_MAX = 32;
