export { ResourceQuotaController, resourceQuotaControllerDefinition } from './resourcequota.js';
