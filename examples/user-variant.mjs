// A user-defined design, exactly as the README shows it: KVM forgets its shadow at IOAT
// deregistration without unpinning. The teardown scenario must catch it.
import { registerDesign, runCheck } from 'vfio-kvm-model';

registerDesign({
  name: 'my-forgetful-teardown',
  base: 's390-kvm-shadow',
  description: 'kvm-shadow drops its shadow records at IOAT deregistration without unpinning',
  ops: {
    zpci_kvm_shadow: {
      deregister_ioat: () => (_w, _vm, fn) => {
        fn.shadow.clear();
        fn.tablePins.clear();
      },
    },
  },
});

const r = runCheck({ scenario: 'zpci-teardown', params: { A: 0 }, variant: 'my-forgetful-teardown' });
console.log(r.verdict, r.result.violations.map((v) => v.property).join(' '));
