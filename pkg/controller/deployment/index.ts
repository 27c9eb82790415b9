export { DeploymentController, deploymentControllerDefinition } from './deployment.js';
export * from './util.js';
