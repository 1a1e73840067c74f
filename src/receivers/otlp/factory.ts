import type { CreateSettings, Host, LogsConsumer, Receiver, ReceiverFactory } from '../../component/types.js';
import { otlpReceiverConfigSpec, type OtlpReceiverConfig } from './config.js';
import { OtlpGrpcReceiver } from './grpc-receiver.js';
import { OtlpHttpReceiver } from './http-receiver.js';

/** The `otlp` receiver: one listener per enabled protocol, all feeding the same pipelines. */
export class OtlpReceiver implements Receiver {
  readonly http?: OtlpHttpReceiver;
  readonly grpc?: OtlpGrpcReceiver;
  private started: Receiver[] = [];

  constructor(settings: CreateSettings, cfg: OtlpReceiverConfig, next: LogsConsumer) {
    if (cfg.protocols.http) this.http = new OtlpHttpReceiver(settings, cfg.protocols.http, next);
    if (cfg.protocols.grpc) this.grpc = new OtlpGrpcReceiver(settings, cfg.protocols.grpc, next);
  }

  async start(host: Host): Promise<void> {
    for (const r of [this.http, this.grpc].filter((x): x is OtlpHttpReceiver | OtlpGrpcReceiver => x !== undefined)) {
      await r.start(host);
      this.started.push(r);
    }
  }

  async shutdown(): Promise<void> {
    const list = this.started;
    this.started = [];
    await Promise.all(list.map((r) => r.shutdown()));
  }
}

export const otlpReceiverFactory: ReceiverFactory<OtlpReceiverConfig> = {
  kind: 'receiver',
  type: 'otlp',
  description: 'Receives OTLP logs over HTTP (protobuf and JSON; gzip, zlib, deflate, zstd, snappy, lz4) and gRPC.',
  config: otlpReceiverConfigSpec,
  create: (settings, config, next) => new OtlpReceiver(settings, config, next),
};
