import { App } from 'aws-cdk-lib';
import { createWickedApp } from './create-app';

// The CDK CLI runs this file (cdk.json "app"); the app synthesizes itself on exit.
createWickedApp(new App());
