import { uploadsInARow } from './clock-speed';

// `wickedctl local up --clock-speed 2000`: ECS ends a rollout within milliseconds, often before deploy-services recorded it.
uploadsInARow(2000);
