import { ArnFormat, Duration, Stack, type RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

/** Default alarm period: short enough to notice a failed build while the operator waits. */
export const ALARM_PERIOD = Duration.minutes(5);

/** Props of {@link Notifications}. */
export interface NotificationsProps {
  /** Subscribed to the topic by e-mail when given (ignored with {@link NotificationsProps.topicArn}: subscribe where that topic is managed). */
  readonly email?: string;
  /**
   * An existing topic to notify instead of creating one (its subscriptions and policy are the owner's).
   *
   * @default - a new KMS-encrypted, TLS-only topic
   */
  readonly topicArn?: string;
  /** The customer-managed key of the existing topic, when it has one: publishers need kms:GenerateDataKey and kms:Decrypt on it. */
  readonly topicKeyArn?: string;
  /** Applied to the topic's key. */
  readonly removalPolicy: RemovalPolicy;
}

/** An alarm on "at least one" of a metric, wired to the notification topic. */
export interface AtLeastOneAlarmOptions {
  /** The metric (its own period and statistic apply). */
  readonly metric: cloudwatch.IMetric;
  /** What the alarm means for an operator. */
  readonly description: string;
}

/**
 * The notification topic (KMS-encrypted, TLS only) or an imported one, an optional
 * e-mail subscription, and the alarms that publish to it.
 *
 * @example
 * const notifications = new Notifications(this, 'Notifications', { email: 'ops@example.com', removalPolicy });
 * notifications.alarmOnAtLeastOne('BuildErrors', { metric: fn.metricErrors(), description: 'build-image failed' });
 */
export class Notifications extends Construct {
  /** The topic every notification and alarm goes to. */
  public readonly topic: sns.ITopic;
  /** The topic's customer-managed key (CloudWatch may use it to publish alarms); undefined for an imported topic without one. */
  public readonly key?: kms.IKey;
  /** Alarms created through {@link Notifications.alarmOnAtLeastOne}. */
  public readonly alarms: cloudwatch.Alarm[] = [];

  /**
   * @param scope - parent construct
   * @param id - construct id
   * @param props - subscription and removal settings
   */
  public constructor(scope: Construct, id: string, props: NotificationsProps) {
    super(scope, id);
    if (props.topicArn !== undefined) {
      this.topic = sns.Topic.fromTopicArn(this, 'Topic', props.topicArn);
      if (props.topicKeyArn !== undefined) this.key = kms.Key.fromKeyArn(this, 'Key', props.topicKeyArn);
      return;
    }
    const key = new kms.Key(this, 'Key', {
      description: 'Encrypts the wicked notification topic',
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy,
    });
    // The AWS-managed SNS key cannot be used by CloudWatch alarms: grant it on our own key, to this
    // account's alarms only (confused-deputy conditions, as the SNS and CloudWatch documentation advise).
    const stack = Stack.of(this);
    key.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'], // in a key policy, "*" is this key
      conditions: {
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
      },
    }));
    const topic = new sns.Topic(this, 'Topic', { masterKey: key, enforceSSL: true });
    if (props.email !== undefined) topic.addSubscription(new subscriptions.EmailSubscription(props.email));
    this.key = key;
    this.topic = topic;
  }

  /**
   * Creates an alarm that fires when the metric reaches 1 in one period and
   * notifies the topic on alarm and on recovery. Missing data counts as fine.
   *
   * @param id - construct id of the alarm
   * @param options - metric and description
   * @returns the alarm
   */
  public alarmOnAtLeastOne(id: string, options: AtLeastOneAlarmOptions): cloudwatch.Alarm {
    return this.alarmAtOrAbove(id, { ...options, threshold: 1 });
  }

  /**
   * Like {@link Notifications.alarmOnAtLeastOne}, with another threshold.
   *
   * @param id - construct id of the alarm
   * @param options - metric, description and the threshold the metric must reach
   * @returns the alarm
   */
  public alarmAtOrAbove(id: string, options: AtLeastOneAlarmOptions & { readonly threshold: number }): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, {
      metric: options.metric,
      alarmDescription: options.description,
      threshold: options.threshold,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    return this.notifyOn(alarm);
  }

  /**
   * Wires an alarm made elsewhere (another threshold or comparison) to the topic, on
   * alarm and on recovery, and lists it in {@link Notifications.alarms}.
   *
   * @param alarm - the alarm
   * @returns the alarm
   * @example
   * notifications.notifyOn(new cloudwatch.Alarm(this, 'BackupsMissing', { metric, threshold: 1, evaluationPeriods: 48, comparisonOperator }));
   */
  public notifyOn(alarm: cloudwatch.Alarm): cloudwatch.Alarm {
    alarm.addAlarmAction(new actions.SnsAction(this.topic));
    alarm.addOkAction(new actions.SnsAction(this.topic));
    this.alarms.push(alarm);
    return alarm;
  }
}
