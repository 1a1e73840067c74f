// A reusable list of [start, end) ranges found in one string. Detectors push
// into it; the redactor sorts, merges and masks. Reused across values so a
// scan allocates nothing until something is actually masked.
export class Spans {
  start: number[] = [];
  end: number[] = [];
  n = 0;

  reset(): void { this.n = 0; }

  push(start: number, end: number): void {
    if (end <= start) return;
    this.start[this.n] = start;
    this.end[this.n] = end;
    this.n++;
  }

  /** Sorts by start and merges overlapping ranges (n is small: insertion sort). */
  normalize(): void {
    const { start, end } = this;
    for (let i = 1; i < this.n; i++) {
      const s = start[i]!;
      const e = end[i]!;
      let j = i - 1;
      while (j >= 0 && start[j]! > s) { start[j + 1] = start[j]!; end[j + 1] = end[j]!; j--; }
      start[j + 1] = s;
      end[j + 1] = e;
    }
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
}
