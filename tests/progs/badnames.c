/* badnames - threads whose names are not valid UTF-8: one is a lone byte, one
 * a UTF-8 character the kernel's 15-byte comm cuts in two, one plain; the
 * main thread's own name is invalid too. Each thread spins a little. */
#include <pthread.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <time.h>

static const char *names[] = { ("\xff\xfe" "bad"), "abcdefghijklmn\xc3\xa9", "plain" };

static void spin(void)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do
		clock_gettime(CLOCK_MONOTONIC, &t);
	while ((t.tv_sec - t0.tv_sec) * 1000000000L + t.tv_nsec - t0.tv_nsec < 20000000L);
}

static void *run(void *arg)
{
	prctl(PR_SET_NAME, arg); /* cut to 15 bytes by the kernel */
	spin();
	return NULL;
}

int main(void)
{
	pthread_t t[3];

	prctl(PR_SET_NAME, "main\xe2\x82");
	for (int i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, run, (void *)names[i]);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	puts("badnames done");
	return 0;
}
