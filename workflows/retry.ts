/** How the workflows retry an activity that failed for a passing reason (training allows more attempts). */
export const activityRetry = { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 5 };
