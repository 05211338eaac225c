/** close_device forgets KVM's shadow records before the teardown, so their pins are never dropped. */
import { registerFault } from '../src/index.js';

export default registerFault({
  name: 'close-device-no-unpin',
  base: 's390-kvm-shadow',
  description: 'close_device drops the zPCI function without unpinning what KVM shadowed',
  scenario: 'zpci-teardown',
  property: 'pin-balance',
  ops: {
    zpci: {
      close_device: (base) => (w, dev) => {
        const f = w.zpci.get(dev.id);
        f?.shadow.clear();
        f?.tablePins.clear();
        base(w, dev);
      },
    },
  },
});
