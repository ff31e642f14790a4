import { MediaTypes } from '../media-types';

export { sha256Digest } from '../digest';

/** OCI image manifest. */
export const OCI_MANIFEST = MediaTypes.ociManifest;
/** OCI image index. */
export const OCI_INDEX = MediaTypes.ociIndex;
/** Docker image manifest, schema 2. */
export const DOCKER_MANIFEST = MediaTypes.dockerManifest;
/** Docker manifest list. */
export const DOCKER_MANIFEST_LIST = MediaTypes.dockerManifestList;

/** Every manifest type this client asks for, in the order of preference. */
export const MANIFEST_MEDIA_TYPES: readonly string[] = [OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_MANIFEST_LIST];
