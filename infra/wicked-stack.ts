import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { WickedPlatformProps } from './props';
import { WickedPlatform } from './wicked-platform';

/** Props of {@link WickedStack}. */
export interface WickedStackProps extends StackProps {
  /** The platform's props. */
  readonly platform: WickedPlatformProps;
}

/**
 * A stack holding one {@link WickedPlatform}, named `wicked-<envName>` by the app.
 *
 * @example
 * new WickedStack(app, 'wicked-dev', { platform: { envName: 'dev' } });
 */
export class WickedStack extends Stack {
  /** The platform in this stack. */
  public readonly platform: WickedPlatform;

  /**
   * @param scope - the app
   * @param id - stack id
   * @param props - stack props plus the platform's props
   */
  public constructor(scope: Construct, id: string, props: WickedStackProps) {
    const { platform, ...stackProps } = props;
    super(scope, id, { description: `wicked.haufe.io platform and control plane (${platform.envName})`, ...stackProps });
    this.platform = new WickedPlatform(this, 'Platform', platform);
  }
}
