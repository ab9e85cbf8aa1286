/**
 * Networking v2.0 (Neutron) for the sandbox. The implementation lives in
 * ./network/; this module is what server.ts registers and what compute.ts
 * imports (the ports of a server, their floating IPs, networks by id).
 */
export { networkService } from './network/service.js';
export {
  createPortForDevice,
  floatingIpsOfPort,
  networkById,
  portsOfDevice,
  releaseDevicePorts,
  releasePort,
  type DevicePort,
  type DevicePortRequest,
} from './network/device-ports.js';
export type { FixedIp, FloatingIpDoc, NetworkDoc, PortDoc } from './network/model.js';
export { formatIp, parseIp } from './network/ip-address.js';
// Nova's os-security-groups proxies these (compute/security-groups.ts), as Nova proxies them to Neutron.
export {
  createRule as createSecurityGroupRule,
  createSecurityGroup,
  deleteRule as deleteSecurityGroupRule,
  deleteSecurityGroup,
  listSecurityGroups,
  showRule as showSecurityGroupRule,
  showSecurityGroup,
  updateSecurityGroup,
} from './network/security-groups.js';
