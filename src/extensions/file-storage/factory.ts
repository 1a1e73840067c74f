// The `file_storage` extension: where exporters with
// `sending_queue: { storage: file_storage }` keep their queue, so an
// acknowledged batch survives a crash, kill -9 or a long exporter outage.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ExtensionFactory } from '../../component/types.js';
import { modesOf, type FileModes } from '../../config/file-mode.js';
import { fileStorageConfigSpec, type FileStorageConfig } from './config.js';
import { QueueStore } from './queue-store.js';

export class FileStorage {
  /** Modes of the files and directories created under the directory. */
  readonly modes: FileModes;

  constructor(private readonly cfg: FileStorageConfig) {
    this.modes = modesOf(cfg);
  }

  async start(): Promise<void> {
    if (!this.cfg.create_directory && !existsSync(this.cfg.directory)) {
      throw new Error(`The file_storage directory "${this.cfg.directory}" does not exist (create_directory is false).`);
    }
  }

  async shutdown(): Promise<void> {}

  /** The queue store of one component, in a folder named after its id. */
  queueStore(componentId: string): QueueStore {
    return new QueueStore(
      join(this.cfg.directory, componentId.replace(/[^A-Za-z0-9_.-]/g, '_')),
      this.cfg.fsync,
      this.modes,
    );
  }
}

export function isFileStorage(x: unknown): x is FileStorage {
  return x instanceof FileStorage;
}

export const fileStorageExtensionFactory: ExtensionFactory<FileStorageConfig> = {
  kind: 'extension',
  type: 'file_storage',
  description: 'Keeps persistent sending queues on disk so acknowledged records survive restarts and kill -9.',
  config: fileStorageConfigSpec,
  create: (_settings, config) => new FileStorage(config),
};
