export { StatsSockets } from './stats-sockets.js';
