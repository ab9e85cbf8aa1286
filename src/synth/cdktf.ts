/**
 * The one import point for cdktf and the generated OpenStack bindings. Moving to
 * the maintained fork (cdktn) is a change of the module name on the next line
 * (and of the generator's, bin/gen-provider.mjs).
 */
import './lazy-archiver';
export { App, Fn, TerraformOutput, TerraformStack, TerraformResource, TerraformVariable, Token } from 'cdktf';
export type { ITerraformDependable } from 'cdktf';
export { Construct } from 'constructs';
export * as openstack from './gen/index';
