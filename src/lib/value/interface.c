/*
 * Building, copying, comparing and freeing TypedInterfaces.
 */
#include "value/message.h"
#include "value/text.h"

#include "util/alloc.h"
#include "util/error.h"

#include <string.h>

static const cachet__field_desc *variables_field(void)
{
	return &cachet__variable_map_desc.fields[0];
}

int cachet_interface_new(cachet_interface **out)
{
	*out = cachet__message_new(&cachet__interface_desc);
	return *out ? 0 : CACHET_ENOMEM;
}

int cachet_interface_add(cachet_interface *iface, bool is_output, const char *name,
			 cachet_literal_type *type, const char *description)
{
	cachet_variable_map **side;
	cachet_variable *var = NULL;
	int rc;

	if (iface == NULL || name == NULL || type == NULL) {
		rc = cachet__error(CACHET_EINVALID, "interface, name and type must not be NULL");
		goto fail;
	}
	if ((rc = cachet__text_check(name, "variable name")) < 0 ||
	    (rc = cachet__text_check(description, "variable description")) < 0)
		goto fail;
	side = is_output ? &iface->outputs : &iface->inputs;
	if (*side == NULL && (*side = cachet__message_new(&cachet__variable_map_desc)) == NULL) {
		rc = CACHET_ENOMEM;
		goto fail;
	}
	var = cachet__message_new(&cachet__variable_desc);
	if (var == NULL || cachet__text_dup(&var->description, description) < 0) {
		rc = CACHET_ENOMEM;
		goto fail;
	}
	var->type = type;
	return cachet__map_set(*side, variables_field(), name, strlen(name), var);
fail:
	cachet__message_free(&cachet__variable_desc, var);
	cachet_literal_type_free(type);
	return rc;
}

cachet_variable *cachet_variable_map_get(const cachet_variable_map *map, const char *name)
{
	if (map == NULL || name == NULL)
		return NULL;
	return cachet__map_get(map, variables_field(), name, strlen(name));
}

cachet_variable *cachet_variable_map_get_n(const cachet_variable_map *map, const char *name,
					   size_t len)
{
	if (map == NULL || (name == NULL && len > 0))
		return NULL;
	return cachet__map_get(map, variables_field(), name, len);
}

int cachet_interface_copy(cachet_interface **out, const cachet_interface *src)
{
	return cachet__message_copy(&cachet__interface_desc, (void **)out, src);
}

bool cachet_interface_equal(const cachet_interface *a, const cachet_interface *b)
{
	return cachet__message_equal(&cachet__interface_desc, a, b);
}

void cachet_interface_free(cachet_interface *iface)
{
	cachet__message_free(&cachet__interface_desc, iface);
}
