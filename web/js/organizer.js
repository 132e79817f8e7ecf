export async function homeScreen() {}
export async function venueBuilderScreen() {}
export async function eventFormScreen() {}
export async function eventDashboardScreen() {}
export async function checkInScreen() {}
export async function webhooksScreen() {}
export async function auditScreen() {}
