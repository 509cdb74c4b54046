import { EndpointSpec } from '../../core';
import { pinImage } from '../../aws/artifacts';

/** The spec with its image tag replaced by the digest it points at now (the version id hashes the pinned spec). */
export async function pinSpec(spec: EndpointSpec): Promise<EndpointSpec> {
  if (spec.version.image === undefined) {
    return spec;
  }
  const image = await pinImage(spec.version.image);
  return image === spec.version.image ? spec : { ...spec, version: { ...spec.version, image } };
}
