import { modeFields } from '../../config/file-mode.js';
import { bool, def, obj, str } from '../../config/schema.js';

/** The Collector's file_storage extension keys that apply to a persistent sending queue. */
export const fileStorageConfigSpec = obj({
  directory: def(str({ nonEmpty: true }), './data/queue'),
  create_directory: def(bool(), true),
  /** fsync each queued batch before it is acknowledged (what survives a power cut, not only kill -9). */
  fsync: def(bool(), false),
  /** Permissions of the queue files and delivery-log segments, and of the directories created: owner only unless set. */
  ...modeFields(),
});
export type FileStorageConfig = NonNullable<ReturnType<typeof fileStorageConfigSpec.parse>>;
