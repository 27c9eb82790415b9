export { formatIpv4Cidr, nextFreeSubnet, NodeIpamController, nodeIpamControllerDefinition, parseIpv4Cidr } from './nodeipam.js';
