/**
 * Image v2 (Glance): seeded public images, list filters, create → upload
 * (queued → active with checksum and hashes), json-patch updates, tags,
 * members, deactivate/reactivate, delete and the JSON schemas. Image bytes
 * live in files under <data>/blobs/images; errors are Glance's HTML pages.
 *
 * The implementation lives in ./image/; this module is what server.ts registers.
 */
export { createImageService } from './image/service';
export {
  IMAGE_KIND,
  IMAGE_MEMBER_KIND,
  MAX_IMAGE_BYTES,
  imageById,
  imageVisibleTo,
  type ImageDoc,
  type ImageOptions,
} from './image/model';
