export { MANAGED_SERVICE_ACCOUNTS, ServiceAccountController, serviceAccountControllerDefinition } from './serviceaccount.js';
