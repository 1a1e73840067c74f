// zap's sampler, as the Collector's debug exporter configures it: within each
// second, the first `initial` entries with the same message are written, then
// every `thereafter`-th (none when it is 0); counts start again each second.
export class Sampler {
  private window = -1;
  private counts = new Map<string, number>();

  constructor(
    private readonly initial: number,
    private readonly thereafter: number,
    private readonly now: () => number = Date.now,
  ) {}

  allow(message: string): boolean {
    const second = Math.floor(this.now() / 1000);
    if (second !== this.window) {
      this.window = second;
      this.counts.clear();
    }
    const n = (this.counts.get(message) ?? 0) + 1;
    this.counts.set(message, n);
    if (n <= this.initial) return true;
    return this.thereafter > 0 && (n - this.initial) % this.thereafter === 0;
  }
}
