/** Unbinding SVA (and closing the bound device) never releases the PASID's binding to the mm. */
import { registerFault } from '../src/index.js';

export default registerFault({
  name: 'sva-unbind-keeps-binding',
  description: 'iommu_sva_unbind_device is a no-op: the device stays bound to the mm, its ATC intact',
  scenario: 'sva-lifecycle',
  property: 'teardown-complete',
  ops: {
    sva: {
      release: () => () => {},
    },
  },
});
