/**
 * The seeded faults, one file each, written with the public API alone (src/index.ts). Importing
 * this module registers them all; `vkm mutants` then checks every one.
 */
import './type1-unpin-before-unmap.js';
import './kvm-leak-on-invalidate.js';
import './kvm-ro-as-rw.js';
import './kvm-double-unpin.js';
import './kvm-rpcit-no-charge.js';
import './close-device-no-unpin.js';
import './notifier-ignores-null.js';
import './h-put-tce-unvalidated.js';
import './sva-migrate-no-invalidate.js';
import './stage2-wp-no-fault-path.js';
import './stage2-flush-cpu-only.js';
import './stage2-dirty-bits-no-flush.js';
import './stage2-zap-pinned.js';
import './kvm-domain-lent-out.js';
import './type1-map-failure-keeps-pins.js';
import './kvm-shadow-refresh-first-page.js';
import './spapr-close-table-keeps-charge.js';
import './stage2-stop-sharing-keeps-pins.js';
import './sva-unbind-keeps-binding.js';

export { FAULTS } from '../src/index.js';
