export { generateSampleData, type SampleDataLayout, sampleQueries } from './demo/sample-data.js';
export {
  CLI_MAIN,
  type ListeningEvent,
  ServiceProcess,
  type ServiceRole,
} from './process/service-process.js';
