import uiExtensionConfig from '@stripe/ui-extension-tools/eslint.config.ui-extension.mjs';

// `eslint .` lints whatever the project holds; what the build and the tests write is not source.
export default [{ignores: ['.build/', 'coverage/']}, {settings: {react: {version: 'detect'}}}, ...uiExtensionConfig];
