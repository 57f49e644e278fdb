/// <reference types="@stripe/ui-extension-tools" />
