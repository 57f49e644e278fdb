import uiExtensionJestConfig from '@stripe/ui-extension-tools/jest.config.ui-extension.mjs';

export default {
  ...uiExtensionJestConfig,
  transform: {
    ...uiExtensionJestConfig.transform,
    // The SDK and remote-ui ship ES modules, which Jest cannot load as they are: ts-jest
    // compiles them with the app (file by file: tsconfig's isolatedModules; `tsc --noEmit`
    // checks the types).
    '^.+\\.[jt]sx?$': 'ts-jest',
  },
  transformIgnorePatterns: ['/node_modules/(?!(@stripe|@remote-ui)/)'],
};
