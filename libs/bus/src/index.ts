export { TOPICS, topic } from './topics.js';
export type { Topic, TopicName } from './topics.js';
export { createBus } from './create-bus.js';
export type { Bus, BusOptions, ConsumedMessage, ConsumerOptions, OutgoingMessage } from './create-bus.js';
export { createStageService } from './stage-service.js';
export type { StageServiceOptions } from './stage-service.js';
