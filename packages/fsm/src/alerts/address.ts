export { formatAddress } from '@statecraft/engine';
