import type { ReceiverFactory } from '../../component/types.js';
import { filelogReceiverConfigSpec, type FilelogReceiverConfig } from './config.js';
import { FilelogReceiver } from './receiver.js';

export { FilelogReceiver };

export const filelogReceiverFactory: ReceiverFactory<FilelogReceiverConfig> = {
  kind: 'receiver',
  type: 'filelog',
  description:
    'Tails log files (globs), following rotation; lines or multiline entries become records, optionally parsed as JSON or by a regex.',
  config: filelogReceiverConfigSpec,
  create: (settings, config, next) => new FilelogReceiver(settings, config, next),
};
