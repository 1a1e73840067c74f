// Reads a Server-Sent Events response as text, for tests that wait for a line to arrive.
export interface StreamText {
  /** Everything read so far. */
  text(): string;
  /** Reads until the text so far contains `needle`; throws if the stream ends first. */
  readUntil(needle: string): Promise<void>;
  cancel(): Promise<void>;
}

export function streamText(res: Response): StreamText {
  const reader = res.body!.getReader();
  let streamed = '';
  return {
    text: () => streamed,
    async readUntil(needle) {
      while (!streamed.includes(needle)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`Stream ended before "${needle}".`);
        streamed += Buffer.from(value).toString('utf8');
      }
    },
    cancel: () => reader.cancel(),
  };
}
