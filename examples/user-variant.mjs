// A user-defined design variant, exactly as the README shows it: KVM forgets its shadow at IOAT
// deregistration without unpinning. The teardown scenario must catch it.
import { registerVariant, runCheck } from 'vfio-kvm-model';

registerVariant({
  name: 'my-forgetful-teardown',
  description: 'kvm-shadow drops its shadow records at IOAT deregistration without unpinning',
  points: {
    zpciDesigns: {
      'kvm-shadow': {
        deregisterIoat(_world, _vm, fn) {
          fn.shadow.clear();
          fn.tablePins.clear();
        },
      },
    },
  },
});

const r = runCheck({ scenario: 'zpci-teardown', params: { A: 0 }, variant: 'my-forgetful-teardown' });
console.log(r.verdict, r.result.violations.map((v) => v.property).join(' '));
