/* wfrun's entry point: everything else is in cli.c. */
int main(void) { return 0; }
