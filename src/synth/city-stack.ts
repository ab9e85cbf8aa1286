/**
 * One TerraformStack per city and environment, built from the resolved model by
 * one construct per layer. Only the region (and `insecure`, see SynthExtras) reaches the provider block: which
 * cloud and its credentials come from clouds.yaml / OS_* in tofu's environment
 * at run time, so nothing secret is ever synthesized.
 */
import type { Construct } from './cdktf';
import type { ResolvedCity } from '../manifest/model';
import { MIN_ENGINE_VERSION, PROVIDER_NAMESPACE, PROVIDER_TYPE, PROVIDER_VERSION } from '../pins';
import { TerraformStack, openstack } from './cdktf';
import { ComputeLayer } from './compute';
import { type SynthExtras, synthContext } from './context';
import { FrontDoorLayer } from './front-door';
import { NetworkLayer } from './network';
import { OutputsLayer } from './outputs';
import { SecurityLayer } from './security';
import { SharingLayer } from './sharing';
import { StorageLayer } from './storage';

export class CityStack extends TerraformStack {
  constructor(scope: Construct, city: ResolvedCity, extras: SynthExtras = {}) {
    super(scope, `${city.city.name}-${city.env}`);
    const ctx = synthContext(city);

    const provider = new openstack.provider.OpenstackProvider(this, 'openstack', {
      region: city.cloud.region,
      ...(extras.insecure === true ? { insecure: true } : {}),
    });
    provider.overrideLogicalId('openstack');
    // The short source lets OpenTofu and Terraform each resolve their own registry
    // host; storm's mirror serves the pinned build under both.
    this.addOverride(`terraform.required_providers.${PROVIDER_TYPE}`, {
      source: `${PROVIDER_NAMESPACE}/${PROVIDER_TYPE}`,
      version: PROVIDER_VERSION,
    });
    this.addOverride('terraform.required_version', `>= ${MIN_ENGINE_VERSION}`);

    const network = new NetworkLayer(this, 'network', ctx);
    const security = new SecurityLayer(this, 'security', ctx);
    const sharing = new SharingLayer(this, 'sharing', ctx, network);
    const compute = new ComputeLayer(this, 'compute', ctx, network, security, extras);
    const storage = new StorageLayer(this, 'storage', ctx, compute, sharing);
    const frontDoor = new FrontDoorLayer(this, 'front-door', ctx, { network, compute }, extras.services ?? []);
    new OutputsLayer(this, 'outputs', { network, security, compute, storage, frontDoor }, extras.services ?? []);
  }
}
